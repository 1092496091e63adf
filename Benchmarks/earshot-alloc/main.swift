print("earshot-alloc: chain not built yet")
