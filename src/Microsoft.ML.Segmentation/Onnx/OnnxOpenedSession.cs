using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>A session that started, the options it was made with (the caller disposes both), and every provider tried on the way.</summary>
/// <param name="Session">The started session.</param>
/// <param name="Options">The session options it was made with; they must outlive the session.</param>
/// <param name="Attempts">Every provider tried, in order; the last is the one the session runs on.</param>
internal readonly record struct OnnxOpenedSession(InferenceSession Session, SessionOptions Options, IReadOnlyList<OnnxProviderAttempt> Attempts);
