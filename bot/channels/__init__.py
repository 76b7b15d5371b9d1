"""Channel adapters: platform updates in, core events; core replies out, platform calls."""
