"""The locreview reviewer: a Gradio UI over ``locreview`` and its review store."""
