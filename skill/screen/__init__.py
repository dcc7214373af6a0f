"""What the skill shows on a screen: the pose illustrations (Alexa Vector Graphics, and PNG for
cards), the APL documents and their data, and the checks they must pass. Pure layout and data:
no Alexa SDK, web or database imports."""
