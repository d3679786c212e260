"""Data: configuration, the contract, database files, the query runner, import, export and the demo generator. Imports nothing else of tandem."""
