print("txgen")
