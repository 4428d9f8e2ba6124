"""The ISP's own requisites on contract documents (lastmile.contracts)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class IspRequisites(BaseModel):
    """The ISP's legal name, codes, bank details and signatory."""

    isp_full_name: str = Field(
        "", max_length=500, description="The ISP's full legal name on contract documents."
    )
    isp_inn: str = Field("", max_length=12, description="The ISP's INN (contract documents).")
    isp_kpp: str = Field("", max_length=9, description="The ISP's KPP (contract documents).")
    isp_ogrn: str = Field(
        "", max_length=15, description="The ISP's OGRN or OGRNIP (contract documents)."
    )
    isp_address: str = Field(
        "", max_length=500, description="The ISP's legal address (contract documents)."
    )
    isp_bank_name: str = Field("", max_length=255, description="The ISP's bank name.")
    isp_bik: str = Field("", max_length=9, description="The ISP's bank BIK.")
    isp_account: str = Field("", max_length=20, description="The ISP's settlement account.")
    isp_correspondent_account: str = Field(
        "", max_length=20, description="The ISP's bank correspondent account."
    )
    isp_phone: str = Field("", max_length=50, description="The ISP's phone on documents.")
    isp_email: str = Field("", max_length=100, description="The ISP's e-mail on documents.")
    isp_license: str = Field(
        "", max_length=255, description="The ISP's telecom licence number and date."
    )
    isp_signatory: str = Field(
        "", max_length=255, description="Who signs contracts for the ISP (position and name)."
    )
