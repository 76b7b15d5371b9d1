"""The channel-agnostic conversation core: events in, replies out. Imports no platform library."""
