environment = "staging"

# Opened "temporarily" to debug a migration from a laptop.
db_publicly_accessible = true
