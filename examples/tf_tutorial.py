"""The TensorFlow deconvolution tutorial, run on JAX: only the import line changed.

The tutorial's TF1 code used `tf.InteractiveSession()` and `sess.run(...)`; here
results are computed eagerly, so those lines are gone. Everything else, including
the filter layouts and the arguments, is the tutorial's.

Run: python examples/tf_tutorial.py
"""

import numpy as np

from compat import tf  # was: import tensorflow as tf

# 1. SAME vs VALID at stride 2: output shapes for 4x4 and 6x6 inputs.
x1 = tf.constant(1.0, shape=[1, 4, 4, 3])
x2 = tf.constant(1.0, shape=[1, 6, 6, 3])
kernel = tf.constant(1.0, shape=[3, 3, 3, 1])
y1_1 = tf.nn.conv2d(x1, kernel, strides=[1, 2, 2, 1], padding="SAME")
y1_2 = tf.nn.conv2d(x1, kernel, strides=[1, 2, 2, 1], padding="VALID")
y2_1 = tf.nn.conv2d(x2, kernel, strides=[1, 2, 2, 1], padding="SAME")
y2_2 = tf.nn.conv2d(x2, kernel, strides=[1, 2, 2, 1], padding="VALID")
print(x1.shape)  # (1, 4, 4, 3)
print(y1_1.shape)  # (1, 2, 2, 1)
print(y1_2.shape)  # (1, 1, 1, 1)
print(x2.shape)  # (1, 6, 6, 3)
print(y2_1.shape)  # (1, 3, 3, 1)
print(y2_2.shape)  # (1, 2, 2, 1)

# 2. A worked convolution: 0.0 .. 1.5 as a 4x4 image, all-ones 3x3 kernel.
x1 = tf.constant([i * 0.1 for i in range(16)], shape=[1, 4, 4, 1], dtype=tf.float32)
kernel = tf.ones(shape=[3, 3, 1, 1], dtype=tf.float32)
conv1 = tf.nn.conv2d(x1, kernel, strides=[1, 1, 1, 1], padding="VALID")
print(np.asarray(conv1))

# 3. The transposed convolution, stride 1: 2x2 back to 4x4. The filter is
#    [height, width, output_channels, in_channels].
x1 = tf.constant([4.5, 5.4, 8.1, 9.0], shape=[1, 2, 2, 1], dtype=tf.float32)
dev_con1 = tf.ones(shape=[3, 3, 1, 1], dtype=tf.float32)
y1 = tf.nn.conv2d_transpose(
    x1, dev_con1, output_shape=[1, 4, 4, 1], strides=[1, 1, 1, 1], padding="VALID"
)
print(np.asarray(y1))
print(np.asarray(x1))

# 4. Stride 2: zeros are inserted between the inputs. 6x6 and 5x5 both work.
for size in (6, 5):
    y1 = tf.nn.conv2d_transpose(
        x1, dev_con1, output_shape=[1, size, size, 1], strides=[1, 2, 2, 1], padding="VALID"
    )
    print(np.asarray(y1)[0, :, :, 0])

# 5. An output_shape that does not match: TF's error, plus the shapes that would work.
try:
    tf.nn.conv2d_transpose(
        x1, dev_con1, output_shape=[1, 7, 7, 1], strides=[1, 2, 2, 1], padding="VALID"
    )
except tf.errors.InvalidArgumentError as e:
    print("InvalidArgumentError:", e)
