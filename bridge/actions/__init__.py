"""Order actions agents run from Gladly: which are offered, their forms, and running them exactly once."""
