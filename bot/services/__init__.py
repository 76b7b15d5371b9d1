"""Business rules. Handlers call services; services call repositories; nothing reaches around."""
