# A huge decimal exponent in a number a rule reads (no string conversion: see fuzz/RESULTS.md).
port = 1e-99999999
anything = {}
