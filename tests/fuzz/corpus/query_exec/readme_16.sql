SHOW ALERTS AT now() - 1h
