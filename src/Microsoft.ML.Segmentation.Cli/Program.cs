using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Cli.Golden;

namespace Microsoft.ML.Segmentation.Cli;

/// <summary>The <c>segml</c> command line.</summary>
internal static class Program
{
    private const string Usage = """
        segml — semantic segmentation tools for ML.NET

        Usage:
          segml golden <directory>   Run every case of the peer-library test vectors in <directory>
                                     (files in the format of shared/golden/*.json) and print one line per case,
                                     then 'N passed, N failed, N unsupported'. Exit code 1 if any case failed.
          segml eval --model m.onnx --images dir --masks dir --classes N|names [options]
                                     Run a model over image/mask pairs (paired by file stem, or --manifest) and
                                     print per-class IoU/Dice/precision/recall and the confusion table; --json
                                     saves them. Exit code 1 on an evaluation error, 2 on a usage error.
          segml predict --model m.onnx --images dir --out dir [options] [--color] [--confidence]
                                     Write <stem>.png index masks at each image's original size.
          segml providers --model m.onnx [--providers cpu,cuda,tensorrt] [options]
                                     Check that the model runs on each execution provider (not a CPU fallback),
                                     compare its outputs with the CPU's and measure images/s with and without
                                     IOBinding: one JSON line per provider. Exit code 1 if any fell back or failed.
          segml <command> --help     Show a command's options.
          segml help                 Show this text.
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        switch (args[0])
        {
            case "eval":
                return EvalCommand.Run(args[1..], Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);
            case "predict":
                return PredictCommand.Run(args[1..], Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);
            case "providers":
                return ProvidersCommand.Run(args[1..], Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);
            case "golden":
                if (args.Length != 2)
                {
                    Console.Error.WriteLine("segml golden: expected one directory argument.");
                    return 2;
                }

                return RunGolden(args[1]);
            default:
                Console.Error.WriteLine($"segml: unknown command '{args[0]}'.");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int RunGolden(string directory)
    {
        try
        {
            GoldenSummary summary = GoldenRunner.Run(directory, Console.Out);
            Console.WriteLine(summary.ToString());
            return summary.Failed == 0 ? 0 : 1;
        }
        catch (DirectoryNotFoundException ex)
        {
            Console.Error.WriteLine($"segml golden: {ex.Message}");
            return 2;
        }
    }
}
