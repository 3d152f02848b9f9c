"""The client side of the local sandbox: its endpoints file, and starting/stopping it as a process.

The app treats the sandbox as just another network: it starts the sandbox process, then reads the
endpoints file the sandbox writes. Nothing here imports the sandbox's own code.
"""
