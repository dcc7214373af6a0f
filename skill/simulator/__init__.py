"""Try the skill without an Echo: a simulated device that talks to it, typed or spoken.

One job per module: `envelopes` builds what an Echo sends, `transport` delivers it (in process
or over HTTP), `playback` turns SSML and APL-A into timed cues, `render` prints them, `device`
drives turns, `realtime`/`sound`/`listen` add time, a voice and a microphone, `cli` wires the
`chat` and `say` commands.
"""
