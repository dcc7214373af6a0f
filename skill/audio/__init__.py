"""Audio build tools: TTS engines, clip rendering and mixing, the whole-session MP3.

Offline tools only: nothing on the request path imports this package."""
