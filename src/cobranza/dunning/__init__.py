"""Dunning: policies, cases, the planner, the gate and the outbox.

- `policy` and `policy_loader`: the YAML policy, its steps and their checks.
- `planner.plan`: opens, advances and closes cases and queues outbox rows.
- `gate.check`: re-reads a customer's facts before a message goes out.
- `outbox`: the state changes of outbox rows (claim, sent, failed, ...).
- `holds`: invoices a person stopped collecting, and the rule every reader
  of a hold applies.
- `timeline`: a case's history for `cobranza case show`.
"""
