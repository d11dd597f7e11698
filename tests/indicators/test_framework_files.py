"""The CLI lists the frameworks in --help by file name, without parsing them: each shipped file
must be named after the framework it holds."""

from indicators.definitions import load_frameworks
from indicators.framework_files import framework_names


def test_each_framework_file_is_named_after_its_framework():
    assert framework_names() == list(load_frameworks())
