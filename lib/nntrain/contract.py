"""The course's chapters and the graded functions each one asks for (``CURRICULUM.md``).

One table, read by the delegation guard (:mod:`nntrain.reference`: which references a
chapter's tests forbid), the tests, the student edition (which chapter a graded function
belongs to) and the glossary's checks.
"""

#: chapter id -> the graded functions its exercises implement (CURRICULUM.md).
CONTRACT = {
    "00_training_loop": ("softmax_cross_entropy", "numerical_gradient", "minibatch_indices"),
    "01_sgd": ("sgd_step", "mse_gradient", "max_stable_lr"),
    "02_momentum": ("momentum_step", "nesterov_step"),
    "03_rmsprop": ("rmsprop_step", "adagrad_step"),
    "04_moving_averages": ("ema_update", "ema", "ema_weights", "debiased_ema"),
    "05_adam": ("adam_step", "adamw_step"),
    "06_preprocessing": ("center", "standardize", "whitening_matrix"),
    "07_initialization": ("gaussian_init", "truncated_normal_init", "scaled_init", "he_init",
                          "layer_stats"),
    "08_dropout": ("dropout_forward", "dropout_backward"),
    "09_normalization": ("batchnorm_forward", "batchnorm_backward", "spatial_batchnorm_forward",
                         "spatial_batchnorm_backward", "layernorm_forward", "layernorm_backward",
                         "instancenorm_forward"),
    "10_tuning": ("train_val_test_split", "log_uniform", "random_search", "early_stopping_epoch"),
}
