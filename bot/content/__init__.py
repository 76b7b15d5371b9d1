"""The knowledge base: curated topics, themes and daily tips, their validation and retrieval."""
