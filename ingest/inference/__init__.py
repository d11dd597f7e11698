"""Feed-spec inference: read a file and propose the YAML spec that loads it, with the reason
for every choice (``observatory spec infer``, the upload page).

One module per job: ``sniffing`` (format, encoding, delimiter, header row), ``districts`` (which
column names the districts, and how, by matching against the city's areas), ``columns``
(period, dimensions, value columns), ``vocabulary`` (what the shipped specs call known columns),
``personal`` (the admin feed's personal-data columns), ``families`` (one proposal per feed) and
``commented`` (the YAML with a comment per choice).
"""

from ingest.inference.families import Inference, infer_feed_spec

__all__ = ["Inference", "infer_feed_spec"]
