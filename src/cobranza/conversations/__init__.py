"""Conversations with customers: understanding replies, then acting on them."""
