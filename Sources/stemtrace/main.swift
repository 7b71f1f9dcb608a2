print("stemtrace")
