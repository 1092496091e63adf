print("earshot-bench: kernels not built yet")
