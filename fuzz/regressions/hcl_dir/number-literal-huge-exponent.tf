# A literal with a huge decimal exponent: 10^e was computed exactly (a 330-million-bit power).
locals {
  tiny = 1e-99999999
  huge = 1e100000000
  sum  = 1.5e-30000 * 1e30000
}

output "x" {
  value = [local.tiny, local.sum, 1e99999999 > 1, -7e-88888888]
}
