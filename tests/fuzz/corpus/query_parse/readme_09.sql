SELECT count() FROM annotations WHERE time IN LAST 7d
