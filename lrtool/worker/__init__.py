"""The TensorFlow worker: a background process that keeps TensorFlow imported, so that only the
first command of a while pays the 3-5 s of its import.

``paths`` says where the worker of this installation lives and whether to use it, without
importing anything heavy; ``protocol`` is what goes over its socket (JSON and raw numbers, never
pickles); ``server`` is the worker process; ``client`` is the backend commands use to ask it,
falling back to TensorFlow in the command's own process whenever the worker cannot answer.
"""
