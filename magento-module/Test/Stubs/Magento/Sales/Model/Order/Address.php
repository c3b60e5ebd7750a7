<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\Order;

use Magento\Framework\DataObject;
use Magento\Sales\Api\Data\OrderAddressInterface;

/**
 * Test stand-in for Magento's order address model: a data object behind the data interface.
 */
class Address extends DataObject implements OrderAddressInterface
{
    /**
     * Return the firstname field.
     *
     * @return string
     */
    public function getFirstname()
    {
        return $this->getData('firstname');
    }

    /**
     * Return the lastname field.
     *
     * @return string
     */
    public function getLastname()
    {
        return $this->getData('lastname');
    }

    /**
     * Return the company field.
     *
     * @return string|null
     */
    public function getCompany()
    {
        return $this->getData('company');
    }

    /**
     * Return the street field.
     *
     * @return string[]|null
     */
    public function getStreet()
    {
        return $this->getData('street');
    }

    /**
     * Return the city field.
     *
     * @return string
     */
    public function getCity()
    {
        return $this->getData('city');
    }

    /**
     * Return the region field.
     *
     * @return string|null
     */
    public function getRegion()
    {
        return $this->getData('region');
    }

    /**
     * Return the region_code field.
     *
     * @return string|null
     */
    public function getRegionCode()
    {
        return $this->getData('region_code');
    }

    /**
     * Return the postcode field.
     *
     * @return string
     */
    public function getPostcode()
    {
        return $this->getData('postcode');
    }

    /**
     * Return the country_id field.
     *
     * @return string
     */
    public function getCountryId()
    {
        return $this->getData('country_id');
    }

    /**
     * Return the telephone field.
     *
     * @return string
     */
    public function getTelephone()
    {
        return $this->getData('telephone');
    }

    /**
     * Set the region_id field.
     *
     * @param mixed $id
     * @return $this
     */
    public function setRegionId($id)
    {
        return $this->setData('region_id', $id);
    }

    /**
     * Set the region_code field.
     *
     * @param mixed $regionCode
     * @return $this
     */
    public function setRegionCode($regionCode)
    {
        return $this->setData('region_code', $regionCode);
    }

    /**
     * Set the region field.
     *
     * @param mixed $region
     * @return $this
     */
    public function setRegion($region)
    {
        return $this->setData('region', $region);
    }
}
