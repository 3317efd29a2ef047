using System;
using System.IO;
using System.Text;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>Saving and loading a head's weights alone.</summary>
/// <remarks>
/// Format, little-endian: the four ASCII bytes <c>SGHD</c>, int32 version (1), int32 architecture (0 linear, 1 MLP),
/// int32 input channels, int32 hidden channels (0 for linear), int32 classes, int32 parameter count, then the
/// parameters as float32 in the layout of <see cref="SegmentationHead"/>.
/// </remarks>
public sealed partial class SegmentationHead
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "SGHD"u8.ToArray();

    /// <summary>Writes the head (sizes and parameters) to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((int)Architecture);
        writer.Write(InputChannels);
        writer.Write(HiddenChannels);
        writer.Write(Classes);
        writer.Write(_parameters.Length);
        foreach (float value in _parameters)
        {
            writer.Write(value);
        }
    }

    /// <summary>Reads a head written by <see cref="Save"/>.</summary>
    /// <param name="stream">A readable stream positioned at the head; left open.</param>
    /// <returns>The head.</returns>
    /// <exception cref="InvalidDataException">The stream does not hold a head of a known version.</exception>
    public static SegmentationHead Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        byte[] magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("The stream does not start with a segmentation head (magic 'SGHD').");
        }

        int version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Segmentation head format version {version} is not supported; this library reads version {FormatVersion}.");
        }

        var architecture = (HeadArchitecture)reader.ReadInt32();
        int inputChannels = reader.ReadInt32();
        int hidden = reader.ReadInt32();
        int classes = reader.ReadInt32();
        int count = reader.ReadInt32();
        SegmentationHead head;
        try
        {
            head = new SegmentationHead(new SegmentationHeadOptions
            {
                Architecture = architecture,
                InputChannels = inputChannels,
                HiddenChannels = hidden,
                Classes = classes,
            });
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The stored head has invalid sizes: {e.Message}", e);
        }

        if (count != head.ParameterCount)
        {
            throw new InvalidDataException($"The stored head has {count} parameters; its sizes need {head.ParameterCount}.");
        }

        for (int i = 0; i < count; i++)
        {
            head._parameters[i] = reader.ReadSingle();
        }

        return head;
    }
}
