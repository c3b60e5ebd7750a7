<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api\Data;

/**
 * Test stand-in for Magento's order address data interface (the getters this module uses).
 */
interface OrderAddressInterface
{
    /**
     * Return the Firstname field.
     *
     * @return string
     */
    public function getFirstname();

    /**
     * Return the Lastname field.
     *
     * @return string
     */
    public function getLastname();

    /**
     * Return the Company field.
     *
     * @return string|null
     */
    public function getCompany();

    /**
     * Return the Street field.
     *
     * @return string[]|null
     */
    public function getStreet();

    /**
     * Return the City field.
     *
     * @return string
     */
    public function getCity();

    /**
     * Return the Region field.
     *
     * @return string|null
     */
    public function getRegion();

    /**
     * Return the RegionCode field.
     *
     * @return string|null
     */
    public function getRegionCode();

    /**
     * Return the Postcode field.
     *
     * @return string
     */
    public function getPostcode();

    /**
     * Return the CountryId field.
     *
     * @return string
     */
    public function getCountryId();

    /**
     * Return the Telephone field.
     *
     * @return string
     */
    public function getTelephone();
}
