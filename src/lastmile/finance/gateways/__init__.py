"""Payment gateways: plugins that map a provider's protocol to the ledger's
payment service (``lastmile.finance.services``).  See ``base.py``."""
