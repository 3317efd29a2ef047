using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Input checks the Lovász losses add to the shared ones.</summary>
internal static class LovaszValidation
{
    /// <summary>Throws unless every element of a dense target is 0, 1 or NaN (ignored).</summary>
    public static void ThrowIfNotBinary<T>(ReadOnlySpan<T> dense, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dense.Length; i++)
        {
            T value = dense[i];
            if (value != T.Zero && value != T.One && !T.IsNaN(value))
            {
                throw new ArgumentException(
                    $"The dense target holds {value} at element {i}; the Lovász losses need 0 or 1 (or NaN to ignore). Use a label map or threshold soft labels.",
                    paramName);
            }
        }
    }

    /// <summary>Throws unless every element lies in [0, 1].</summary>
    public static void ThrowIfNotProbabilities<T>(ReadOnlySpan<T> values, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.IsEmpty)
        {
            return;
        }

        T min = TensorPrimitives.Min(values);
        T max = TensorPrimitives.Max(values);
        if (min < T.Zero || max > T.One)
        {
            throw new ArgumentException(
                $"With Activation.None the input must hold probabilities in [0, 1], but it ranges over [{min}, {max}]; pass logits with Activation.Softmax or Sigmoid.",
                paramName);
        }
    }
}
