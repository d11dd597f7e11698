"""Berlin's 58 forecast areas (Prognoseräume, LOR 2021) as their own city slug."""
