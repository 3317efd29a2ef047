namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>The peer-vector runner's entry point; <see cref="GoldenCommandLine"/> holds the arguments and exit codes.</summary>
internal static class Program
{
    public static int Main(string[] args) => GoldenCommandLine.Run(args, Console.Out, Console.Error);
}
