using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// <see cref="Vector512Policy"/>: CPUID family decoding against published processor signatures, the override's
/// parsing, and this process's choice against its inputs (<c>.ci/run</c> reruns the wide kernels' tests with
/// <c>SEGML_VECTOR512</c> set both ways, so both widths are tested on an AVX-512 machine whichever it picks).
/// </summary>
[TestClass]
public sealed class Vector512PolicyTests
{
    [TestMethod]
    [DataRow(0x00A10F11, 0x19, DisplayName = "EPYC 9004 (Genoa, Zen 4)")]
    [DataRow(0x00A60F12, 0x19, DisplayName = "Ryzen 7000 (Raphael, Zen 4)")]
    [DataRow(0x00A00F11, 0x19, DisplayName = "EPYC 7003 (Milan, Zen 3)")]
    [DataRow(0x00830F10, 0x17, DisplayName = "EPYC 7002 (Rome, Zen 2)")]
    [DataRow(0x00B00F21, 0x1A, DisplayName = "EPYC 9005 (Turin, Zen 5)")]
    [DataRow(0x000806F8, 0x06, DisplayName = "Xeon 4th gen (Sapphire Rapids)")]
    [DataRow(0x00050657, 0x06, DisplayName = "Xeon 2nd gen (Cascade Lake)")]
    public void FamilyIsDecodedFromTheProcessorSignature(int signature, int family)
        => Assert.AreEqual(family, Vector512Policy.Family(signature));

    [TestMethod]
    public void TheSwitchWinsOverTheEnvironmentVariable()
    {
        Assert.IsTrue(Vector512Policy.Override(true, "0"));
        Assert.IsFalse(Vector512Policy.Override(false, "1"));
        Assert.IsTrue(Vector512Policy.Override(true, null));
    }

    [TestMethod]
    [DataRow("1", true)]
    [DataRow("true", true)]
    [DataRow(" TRUE ", true)]
    [DataRow("0", false)]
    [DataRow("False", false)]
    public void TheEnvironmentVariableIsReadWhenTheSwitchIsNotSet(string value, bool expected)
        => Assert.AreEqual(expected, Vector512Policy.Override(null, value));

    [TestMethod]
    public void NeitherSetLeavesTheChoiceToTheCpu()
    {
        Assert.IsNull(Vector512Policy.Override(null, null));
        Assert.IsNull(Vector512Policy.Override(null, ""));
    }

    [TestMethod]
    public void AnUnreadableEnvironmentValueIsNamedNotIgnored()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Vector512Policy.Override(null, "yes"));
        StringAssert.Contains(e.Message, "SEGML_VECTOR512='yes'");
        StringAssert.Contains(e.Message, "unset it");
    }

    [TestMethod]
    public void ThisProcessFollowsItsInputs()
    {
        bool? forced = Vector512Policy.Override(AppContext.TryGetSwitch(Vector512Policy.SwitchName, out bool on) ? on : null, Environment.GetEnvironmentVariable(Vector512Policy.EnvironmentVariable));
        bool expected = Vector512.IsHardwareAccelerated && (forced ?? !Vector512Policy.SplitsVector512());
        Assert.AreEqual(expected, Vector512Policy.Use512);
        Assert.IsFalse(Vector512Policy.SplitsVector512() && !Avx512F.IsSupported, "only a CPU with AVX-512 can split it");
        Assert.IsFalse(Vector512Policy.Use512 && !Vector512.IsHardwareAccelerated, "512 bits where Vector512 is not accelerated");
    }
}
