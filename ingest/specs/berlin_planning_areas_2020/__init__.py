"""Berlin's 448 planning areas of the LOR scheme in use until 2020, as their own city slug."""
