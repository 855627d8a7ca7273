"""The portfolio over time, from Git: where every account stood on past dates, what moved between
two dates, and the KPIs that need history (the 90-day cohorts, renewals against the ladder).

timeline.py turns the log into dated states per account file, past.py puts one old version on the
ladder, read.py reads the versions wanted in a fixed number of git processes, changes.py and
kpis.py are pure functions over the result, history.py puts it together for `changes` and the
internal index.
"""
