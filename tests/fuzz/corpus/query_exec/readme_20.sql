SHOW SIGNALS FROM now() - 1d TO now()
