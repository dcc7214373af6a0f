"""The privacy policy and terms of use: words in policy.yaml, pages rendered by pages.py."""
