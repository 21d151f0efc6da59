import CheckCore

/// The claims of the source notes (../shared/seeds), each with a verdict and its evidence:
/// the checks behind Lessons/notes.md.
public enum ClaimChecks {
    /// Every claim check, including those whose evidence is a module check run as is.
    public static let all: [CheckDefinition] = wrappedClaims + own

    /// The claim checks with evidence of their own (the wrapped ones repeat a module
    /// check and its mutations, so the audit counts them once, under the module).
    public static let own: [CheckDefinition] = [
        logProductCheck, logDifferenceCheck, linearScheduleCheck, linearMomentsCheck, cosineStepsCheck,
        terminalNoiseCheck, offsetNoiseCheck, vaeScaleCheck, sdxlContextCheck, sdxlPooledCheck,
        fid1DCheck, fid2DCheck, clipScoreCheck, lossWeightCheck, langevinCheck, noiseShareCheck,
        alphaBarLimitCheck, samplingStdCheck, posteriorNotDeterministicCheck, meanOnlySamplingCheck, varianceExplosionCheck,
        infiniteLimitCheck, jensenCheck, reverseVariableCheck, latentShapesCheck, sdxlSizesCheck, sdxlTotalCheck,
        clipTextParametersCheck, klWeightCheck, selfAttentionCheck, signedLossCheck, unetSizesCheck, logVarianceCheck,
        noiseRidgeCheck, scheduleRangeCheck, groupNormBatchCheck, pureNoiseCheck, clippedLogVarianceCheck,
        posteriorVarianceFactorsCheck, attentionCostCheck, unetParameterCountCheck, sdxlStagesCheck, transformerShareCheck,
        crossAttentionShapesCheck, attentionBlockShapesCheck, downsampleCheck, upsampleCheck, feedForwardCheck,
        meanChainCheck, noiseWeightsCheck, toyUNetShapesCheck, qSampleCheck, markovForwardCheck, naiveForwardCostCheck,
        perSampleLossCheck, vaeUnscaleCheck, subtractNoiseCheck, varianceSymbolCheck, posteriorPriorSlipCheck, reverseSampleSlipCheck,
        sdxlPretrainSamplesCheck, clipTokensCheck, refinerLowNoiseCheck, langevinLimitCheck, sgldNoiseCheck,
        refinerStagesCheck, sdTextEncoderCheck, samplingStepsCheck, vaeLossEncoderCheck, vqCodebookCheck,
        squareExpansionCheck, mergedNoiseCheck, alphaTypographyCheck, reparameterizationGradientCheck,
    ]
}
