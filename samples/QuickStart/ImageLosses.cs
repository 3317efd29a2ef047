namespace QuickStart;

/// <summary>One test image's losses, as the pipeline's ComputeLosses columns give them.</summary>
public sealed record ImageLosses(string Name, float CrossEntropy, float Dice);
