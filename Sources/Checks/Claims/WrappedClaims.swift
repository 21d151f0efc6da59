import CheckCore
import ELBO
import ELBOChecks
import ForwardProcess
import ForwardProcessChecks
import Gaussian
import GaussianChecks
import Posterior
import PosteriorChecks
import ScoreODEChecks

/// Claims of the notes that a module's own check already settles: the evidence is that
/// check, run as is; only the verdict on the notes' wording is added here.
let moduleChecks: [CheckDefinition] = GaussianChecks.all + ForwardChecks.all + PosteriorChecks.all + ELBOChecks.all + ScoreODEChecks.all

let wrappedClaims: [CheckDefinition] = [
    claim("notes.gaussian-reverse-small-beta",
          title: "For small βₜ the true reverse step q(xₜ₋₁|xₜ) is nearly Gaussian: its skewness shrinks like β^{3/2} and its excess kurtosis like β²",
          verdict: .true, sources: [Note.n002.at("388"), Note.n003.at("5")],
          evidence: "score.reverse-step", from: moduleChecks),
    claim("notes.elbo-bound",
          title: "log p_θ(x₀) ≥ E_q[log p_θ(x_{0:T})/q(x_{1:T}|x₀)] by Jensen, the gap being ≥ 0, and training minimizes the negative bound",
          verdict: .true, sources: [Note.n003.at("55–59")],
          evidence: "elbo.gap", from: moduleChecks),
    claim("notes.gaussian-sum",
          title: "Independent Gaussians add: means add and variances add",
          verdict: .true, sources: [Note.n000.at("41–45"), Note.n001.at("7"), Note.n002.at("328–332")],
          evidence: "gaussian.sum", from: moduleChecks),
    claim("notes.gaussian-difference",
          title: "The same rule for a difference: X − Y ~ N(μ₁ − μ₂, σ₁² + σ₂²), variances still add",
          verdict: .true, sources: [Note.n002.at("333–334")],
          evidence: "gaussian.difference", from: moduleChecks),
    claim("notes.forward-merge",
          title: "Two noising steps merge into one: √(αₜ(1−αₜ₋₁))ε₂ + √(1−αₜ)ε₁ ~ N(0, 1 − αₜαₜ₋₁)",
          verdict: .true, sources: [Note.n002.at("366–375"), Note.n003.at("18–22"), Note.n001.at("7")],
          evidence: "gaussian.forward-merge", from: moduleChecks),
    claim("notes.reparameterization",
          title: "Reparameterization: μ + σε with ε ~ N(0, 1) is a draw of N(μ, σ²)",
          verdict: .true, sources: [Note.n003.at("27–29"), Note.n002.at("173–174"), Note.n002.at("337–339")],
          evidence: "gaussian.reparameterization", from: moduleChecks),
    claim("notes.closed-form",
          title: "Noising t times step by step is one draw of q(xₜ|x₀) = N(√ᾱₜ x₀, 1 − ᾱₜ)",
          verdict: .true, sources: [Note.n003.at("23–26"), Note.n002.at("169–171")],
          evidence: "forward.closed-form", from: moduleChecks),
    claim("notes.alphabar-decreasing",
          title: "\"β increasing, therefore ᾱ decreasing\": ᾱ decreases for any β in (0, 1), ordered or not",
          verdict: .qualified, sources: [Note.n004.at("103"), Note.n002.at("377")],
          evidence: "forward.monotone", from: moduleChecks),
    claim("notes.posterior",
          title: "q(xₜ₋₁|xₜ,x₀) is Gaussian with mean coef1·x₀ + coef2·xₜ and variance βₜ(1−ᾱₜ₋₁)/(1−ᾱₜ), a constant",
          verdict: .true, sources: [Note.n000.at("61–79"), Note.n003.at("49"), Note.n002.at("394–407")],
          evidence: "posterior.quadrature", from: moduleChecks),
    claim("notes.eps-form",
          title: "The posterior mean in terms of the noise: (xₜ − βₜ/√(1−ᾱₜ)·ε)/√αₜ",
          verdict: .true, sources: [Note.n000.at("81–87"), Note.n003.at("49"), Note.n002.at("410")],
          evidence: "posterior.eps-form", from: moduleChecks),
    claim("notes.reverse-step",
          title: "One reverse step xₜ₋₁ = (xₜ − (1−αₜ)/√(1−ᾱₜ)·ε_θ)/√αₜ + √βₜ·ε: the mean is eq. 11, and σₜ² = βₜ is one valid choice",
          verdict: .qualified, sources: [Note.n002.at("207–219")],
          evidence: "posterior.reverse-chain", from: moduleChecks),
    claim("notes.prior-term",
          title: "\"L_T can be ignored because ᾱ_T ≈ 0\": L_T has no parameters and is small, but not zero",
          verdict: .qualified, sources: [Note.n003.at("65")],
          evidence: "elbo.prior-term", from: moduleChecks),
    claim("notes.decoder-term",
          title: "\"L₀ can be dropped too\": L₀ is a real part of the bound; DDPM's L_simple drops its weight, not the term",
          verdict: .qualified, sources: [Note.n003.at("66")],
          evidence: "elbo.decoder-term", from: moduleChecks),
    claim("notes.central-limit",
          title: "Gaussian noise as a consequence of the central limit theorem: sums of many small effects approach N(0, 1)",
          verdict: .qualified, sources: [Note.n004.at("91")],
          evidence: "gaussian.clt", from: moduleChecks),
]
