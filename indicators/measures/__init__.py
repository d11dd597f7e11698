"""Pure segregation, diversity and spatial-autocorrelation measures.

One module per family, one function per measure: numpy arrays or pandas Series in, floats or
arrays out. Formulas follow methodology §4; PySAL (segregation, esda, libpysal) is the test oracle
and is never imported here.
"""
