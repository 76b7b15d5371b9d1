"""What an operator sees of a running bot: Prometheus metrics (`metrics`), the `/metrics` and
`/readyz` routes (`http`), readiness checks (`readiness`) and JSON log lines (`json_logs`).

The conversation core does not import this package: the engine reports each turn to a
`TurnObserver` it is given (`bot.core.engine`), and this package provides the one that counts.
"""
