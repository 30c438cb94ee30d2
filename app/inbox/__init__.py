"""The triage inbox: releases matched to the projects they may touch, waiting
for their owner to confirm or dismiss them."""
