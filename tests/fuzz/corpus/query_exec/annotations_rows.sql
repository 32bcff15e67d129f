SELECT time, type, agent, detail, value FROM annotations WHERE time IN LAST 3d AND type IN ('DEPLOY', 'NOTE') ORDER BY value DESC, time LIMIT 10
