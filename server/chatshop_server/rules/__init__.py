"""Business rules as pure functions: no SQL, no I/O, testable without a relay.

Stores call them inside their transactions and handlers before them; they import only the
protocol package, never storage or handlers (an import-linter contract checks it).
"""
