using System.Globalization;
using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// The one place that words a library exception for the command line. The library's messages name API members
/// (<c>MaskOptions.RequireSameSize</c>, <c>ImageTensorOptions.MaxPixels</c>), which is right for API users; its typed
/// exceptions (and <see cref="PixelLimitExceeded"/> in an exception's data) carry what was wrong as data, and here that data becomes a sentence naming the <c>segml</c> option that
/// fixes it. Other <see cref="ArgumentException"/>s lose the framework's <c>(Parameter '…')</c> suffix, and a
/// parameter the command line fills from an option gets a hint naming that option.
/// </summary>
internal static class CliMessages
{
    /// <summary>The library parameters that a command fills straight from an option, with the hint naming it.</summary>
    private static readonly Dictionary<string, string> s_parameterHints = new(StringComparer.Ordinal)
    {
        ["imagesDirectory"] = "Check --images (and --recursive for sub-folders).",
        ["masksDirectory"] = "Check --images and --masks, or give the pairs with --manifest.",
        ["manifestPath"] = "Check the file given to --manifest.",
    };

    /// <summary>The message to print for <paramref name="e"/>: the file, what is wrong, and the option that fixes it.</summary>
    public static string Describe(Exception e) => e switch
    {
        _ when PixelLimitExceeded.TryGetFrom(e, out PixelLimitExceeded? big) => string.Create(
            CultureInfo.InvariantCulture,
            $"'{big.ImageSource}' is {big.Width}x{big.Height} = {big.Pixels} pixels, over the limit of {big.Limit}; if the file is trusted, raise the limit with --max-pixels {big.Pixels} (or more)."),
        MaskSizeMismatchException size => string.Create(
            CultureInfo.InvariantCulture,
            $"Mask '{size.MaskSource}' is {size.MaskWidth}x{size.MaskHeight} but its image is {size.ImageWidth}x{size.ImageHeight}; pair each mask with its own image, or pass --resize-masks to resize masks to their images (nearest neighbour)."),
        InvalidMaskPixelException pixel => Describe(pixel),
        ArgumentException argument => WithHint(WithoutParameter(argument), argument.ParamName),
        _ => e.Message,
    };

    private static string Describe(InvalidMaskPixelException pixel)
    {
        string at = string.Create(CultureInfo.InvariantCulture, $"Mask '{pixel.MaskSource}' holds");
        string where = string.Create(CultureInfo.InvariantCulture, $"at pixel ({pixel.X}, {pixel.Y})");
        if (pixel.Problem == MaskPixelProblem.LabelOutOfRange)
        {
            string classes = pixel.ClassCount is int k ? string.Create(CultureInfo.InvariantCulture, $"the classes 0..{k - 1} of --classes") : "the classes of --classes";
            string ignore = pixel.IgnoreIndex is int i ? string.Create(CultureInfo.InvariantCulture, $" and is not the --ignore value {i}") : " (--ignore none)";
            return string.Create(CultureInfo.InvariantCulture, $"{at} value {pixel.Value} {where}, which is outside {classes}{ignore}; check --classes, --ignore and --mask-format (index: the pixel is the class; binary: 0 and 255).");
        }

        string color = string.Create(CultureInfo.InvariantCulture, $"({(pixel.Value >> 16) & 0xFF}, {(pixel.Value >> 8) & 0xFF}, {pixel.Value & 0xFF})");
        return pixel.Problem == MaskPixelProblem.ColorInIndexMask
            ? $"{at} colour {color} {where}: it is a colour image, but segml reads index masks (grayscale or palette PNGs whose pixel is the class) or --mask-format binary; convert colour masks to index masks first."
            : $"{at} colour {color} {where}, which is not a known class colour; convert colour masks to index masks first.";
    }

    /// <summary>
    /// The message of <paramref name="e"/> without the <c>(Parameter '…')</c> suffix the framework appends: the
    /// suffix is computed by the framework itself for the same parameter, so it matches in any culture.
    /// </summary>
    private static string WithoutParameter(ArgumentException e)
    {
        string message = e.Message;
        if (string.IsNullOrEmpty(e.ParamName))
        {
            return message;
        }

        string suffix = new ArgumentException(string.Empty, e.ParamName).Message;
        int at = message.LastIndexOf(suffix, StringComparison.Ordinal);
        return at < 0 ? message : (message[..at] + message[(at + suffix.Length)..]).ReplaceLineEndings(" ").TrimEnd();
    }

    private static string WithHint(string message, string? parameter)
        => parameter is not null && s_parameterHints.TryGetValue(parameter, out string? hint) ? $"{message} {hint}" : message;
}
