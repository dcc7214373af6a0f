"""The skill package for Alexa (`hamstring-coach package`): a tool beside the request path.

listing.yaml holds the store listing and privacy answers; manifest.py builds skill.json from
it and the operator's options; package.py writes ASK CLI's layout and reads it back; rules.py
and phrases.py check it against Amazon's manifest and example-phrase rules. Nothing on the
request path imports this package.
"""
