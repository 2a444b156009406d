"""nbgrader settings for this course (read from the folder JupyterLab was started in, as
`make lab` and Binder do).

The Validate button runs your whole notebook.  It does so with the course's kernel client
(nntrain.kernel): with Jupyter's own, a chapter with an interactive widget could wait up to
the cell time limit on a busy machine, with JupyterLab not answering meanwhile.
"""
c = get_config()  # noqa: F821 (provided by nbgrader)
c.KernelManager.client_class = "nntrain.kernel.KernelClient"
