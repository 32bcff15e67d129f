CREATE SLO checkout ON tasks WHERE agent = 'agent-0042' GOOD success
  TARGET 99.5% WINDOW 30d
