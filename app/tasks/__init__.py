"""Tasks: a measure assigned to a person (布置任务), accepted and done, on the case's timeline."""
